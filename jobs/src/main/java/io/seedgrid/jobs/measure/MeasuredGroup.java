package io.seedgrid.jobs.measure;

import org.apache.spark.sql.Row;

import java.io.Serializable;
import java.util.List;

/**
 * One group's output rows, made once on an executor and kept (persisted) until the chunk's three
 * datasets are written.
 *
 * @param embeddings its {@code embeddings/} rows
 * @param pairs      its {@code pairs/} rows
 * @param group      its {@code groups/} row
 */
record MeasuredGroup(List<Row> embeddings, List<Row> pairs, Row group) implements Serializable {
}
