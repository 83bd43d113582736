package io.seedgrid.jobs.measure;

import java.io.Serializable;
import java.util.List;

/**
 * What the driver knows of a group before measuring it.
 *
 * @param id      the group
 * @param prompt  the prompt text (for the CLIP score)
 * @param okCells cell ids of its images with status {@code ok}, sorted: the images measured
 * @param failed  number of its cells with another status ({@code nan}, {@code error}): counted, not measured
 * @param files   the {@code images/} Parquet files that hold its ok images
 * @param key     SHA-256 over the metric fingerprint and the sorted ok and failed cell ids: a rerun skips the
 *                group when its latest {@code groups/} row has this key
 */
public record GroupPlan(GroupId id, String prompt, List<String> okCells, int failed, List<String> files, String key)
        implements Serializable {

    public GroupPlan {
        okCells = List.copyOf(okCells);
        files = List.copyOf(files);
    }

    /** Number of images measured. */
    public int n() {
        return okCells.size();
    }

    /** Number of pairs: n(n-1)/2. */
    public int pairs() {
        return n() * (n() - 1) / 2;
    }
}
