package io.seedgrid.jobs.measure;

import java.io.Serializable;
import java.util.Comparator;

/** A measured group: the images of one prompt under one recipe (its seeds). */
public record GroupId(String promptId, String recipe) implements Serializable, Comparable<GroupId> {

    private static final Comparator<GroupId> ORDER = Comparator.comparing(GroupId::promptId).thenComparing(GroupId::recipe);

    @Override
    public int compareTo(GroupId other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return "prompt '" + promptId + "', recipe '" + recipe + "'";
    }
}
