package io.seedgrid.jobs.output;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * The measure tables are described as Spark schemas (their columns follow the configured metric models,
 * {@code measure/MetricColumns}) and written with parquet-avro: this turns such a schema into the Avro
 * schema of its files and a Spark row into an Avro record, for the types the tables use (strings, ints,
 * longs, doubles, booleans, DECIMAL(20,0) seeds, timestamps, float arrays).
 */
public final class AvroRows {

    private AvroRows() {
    }

    /** The Avro schema of a table with Spark schema {@code spark}; nullable columns become optional. */
    public static Schema schema(String name, StructType spark) {
        SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record(name).namespace("io.seedgrid").fields();
        for (StructField field : spark.fields()) {
            Schema type = type(field.dataType(), field.name());
            fields = fields.name(field.name()).type(field.nullable() ? optional(type) : type).noDefault();
        }
        return fields.endRecord();
    }

    /** {@code row} (in {@code spark}'s field order) as a record of {@code avro}. */
    public static GenericRecord record(Row row, Schema avro) {
        GenericRecord record = new GenericData.Record(avro);
        List<Schema.Field> fields = avro.getFields();
        for (int i = 0; i < fields.size(); i++) {
            record.put(i, value(row.isNullAt(i) ? null : row.get(i)));
        }
        return record;
    }

    private static Object value(Object v) {
        if (v instanceof Timestamp t) {
            return ImageTable.micros(t.toInstant());
        }
        if (v instanceof float[] floats) {
            List<Float> list = new ArrayList<>(floats.length);
            for (float f : floats) {
                list.add(f);
            }
            return list;
        }
        if (v instanceof scala.collection.Seq<?> seq) {
            return new ArrayList<>(scala.jdk.javaapi.CollectionConverters.asJava(seq));
        }
        return v;
    }

    private static Schema optional(Schema type) {
        return Schema.createUnion(Schema.create(Schema.Type.NULL), type);
    }

    private static Schema type(DataType type, String column) {
        if (type.equals(DataTypes.StringType)) {
            return Schema.create(Schema.Type.STRING);
        }
        if (type.equals(DataTypes.IntegerType)) {
            return Schema.create(Schema.Type.INT);
        }
        if (type.equals(DataTypes.LongType)) {
            return Schema.create(Schema.Type.LONG);
        }
        if (type.equals(DataTypes.DoubleType)) {
            return Schema.create(Schema.Type.DOUBLE);
        }
        if (type.equals(DataTypes.FloatType)) {
            return Schema.create(Schema.Type.FLOAT);
        }
        if (type.equals(DataTypes.BooleanType)) {
            return Schema.create(Schema.Type.BOOLEAN);
        }
        if (type.equals(DataTypes.TimestampType)) {
            return ImageTable.TIMESTAMP;
        }
        if (type instanceof DecimalType d && d.precision() == 20 && d.scale() == 0) {
            return ImageTable.SEED;
        }
        if (type instanceof ArrayType array) {
            Schema items = type(array.elementType(), column);
            return Schema.createArray(array.containsNull() ? optional(items) : items);
        }
        throw new IllegalArgumentException("column '" + column + "' has a type the tables do not use: " + type);
    }
}
