package io.seedgrid.jobs.measure;

import java.io.Serializable;
import java.util.List;

/**
 * What a measure task knows of a group before measuring it.
 *
 * @param id      the group
 * @param prompt  the prompt text (for the CLIP score)
 * @param okCells cell ids of its images with status {@code ok}, sorted: the images measured
 * @param failed  number of its cells with another status ({@code nan}, {@code error}): counted, not measured
 * @param key     SHA-256 over the metric fingerprint and the sorted ok and failed cell ids: a rerun measures
 *                the group's bucket again only when a key of the bucket changed
 */
public record GroupPlan(GroupId id, String prompt, List<String> okCells, int failed, String key) implements Serializable {

    public GroupPlan {
        okCells = List.copyOf(okCells);
    }

    /** Number of images measured. */
    public int n() {
        return okCells.size();
    }

    /** Number of pairs: n(n-1)/2, in a long (a group of 65,536 images has more pairs than an int holds). */
    public long pairs() {
        return (long) n() * (n() - 1) / 2;
    }
}
