package io.seedgrid.udf.blend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a model's files are, cheaply: the real path, size and modification time of its
 * {@code model.onnx} and of every external data file its tensors point to. Not a content hash
 * (hashing 10 GB per lookup would cost more than it saves): a file replaced in place with the same
 * size and the same modification time would go unnoticed; every normal rewrite changes the time.
 */
record ModelIdentity(List<FileIdentity> files) {

    /** One file: real path, size in bytes, modification time. */
    record FileIdentity(String path, long size, String modified) {
        static FileIdentity of(Path file) throws IOException {
            Path real = file.toRealPath();
            return new FileIdentity(real.toString(), Files.size(real), Files.getLastModifiedTime(real).toString());
        }

        @Override
        public String toString() {
            return path + " " + size + " bytes, modified " + modified;
        }
    }

    /** The identity of a model, given as its {@code model.onnx} or the directory that holds it. */
    static ModelIdentity of(Path model) throws IOException {
        List<FileIdentity> files = new ArrayList<>();
        files.add(FileIdentity.of(OnnxModelFile.modelFile(model)));
        try (OnnxModelFile opened = OnnxModelFile.open(model)) {
            for (Path external : opened.externalDataFiles()) {
                files.add(FileIdentity.of(external));
            }
        }
        return new ModelIdentity(List.copyOf(files));
    }
}
