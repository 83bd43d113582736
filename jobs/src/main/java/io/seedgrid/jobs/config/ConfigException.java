package io.seedgrid.jobs.config;

/** A config that cannot run; the message names the file, the line and the key. Exit code 2. */
public final class ConfigException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
