package io.seedgrid.udf.blend;

/**
 * Field numbers of the ONNX messages the blend and {@link OnnxFiles} read and write, from onnx/onnx.proto
 * (the fields of onnx 1.12 plus the later {@code overload} and {@code metadata_props}). Fields not named
 * here are unknown to the blend and are compared and copied as bytes.
 */
final class OnnxProto {

    private OnnxProto() {
    }

    /** ModelProto. */
    static final class Model {
        static final int IR_VERSION = 1;
        static final int PRODUCER_NAME = 2;
        static final int PRODUCER_VERSION = 3;
        static final int DOMAIN = 4;
        static final int MODEL_VERSION = 5;
        static final int DOC_STRING = 6;
        static final int GRAPH = 7;
        static final int OPSET_IMPORT = 8;
        static final int METADATA_PROPS = 14;
        static final int TRAINING_INFO = 20;
        static final int FUNCTIONS = 25;

        private Model() {
        }
    }

    /** GraphProto. */
    static final class Graph {
        static final int NODE = 1;
        static final int NAME = 2;
        static final int INITIALIZER = 5;
        static final int DOC_STRING = 10;
        static final int INPUT = 11;
        static final int OUTPUT = 12;
        static final int VALUE_INFO = 13;
        static final int QUANTIZATION_ANNOTATION = 14;
        static final int SPARSE_INITIALIZER = 15;
        static final int METADATA_PROPS = 16;

        private Graph() {
        }
    }

    /** NodeProto. */
    static final class Node {
        static final int INPUT = 1;
        static final int OUTPUT = 2;
        static final int NAME = 3;
        static final int OP_TYPE = 4;
        static final int ATTRIBUTE = 5;
        static final int DOC_STRING = 6;
        static final int DOMAIN = 7;
        static final int OVERLOAD = 8;
        static final int METADATA_PROPS = 9;

        private Node() {
        }
    }

    /** AttributeProto. */
    static final class Attribute {
        static final int NAME = 1;
        static final int F = 2;
        static final int I = 3;
        static final int S = 4;
        static final int T = 5;
        static final int G = 6;
        static final int FLOATS = 7;
        static final int INTS = 8;
        static final int STRINGS = 9;
        static final int TENSORS = 10;
        static final int GRAPHS = 11;
        static final int DOC_STRING = 13;
        static final int TP = 14;
        static final int TYPE_PROTOS = 15;
        static final int TYPE = 20;
        static final int REF_ATTR_NAME = 21;
        static final int SPARSE_TENSOR = 22;
        static final int SPARSE_TENSORS = 23;

        private Attribute() {
        }
    }

    /** ValueInfoProto. */
    static final class ValueInfo {
        static final int NAME = 1;
        static final int TYPE = 2;
        static final int DOC_STRING = 3;
        static final int METADATA_PROPS = 4;

        private ValueInfo() {
        }
    }

    /** TensorProto. */
    static final class Tensor {
        static final int DIMS = 1;
        static final int DATA_TYPE = 2;
        static final int SEGMENT = 3;
        static final int FLOAT_DATA = 4;
        static final int INT32_DATA = 5;
        static final int STRING_DATA = 6;
        static final int INT64_DATA = 7;
        static final int NAME = 8;
        static final int RAW_DATA = 9;
        static final int DOUBLE_DATA = 10;
        static final int UINT64_DATA = 11;
        static final int DOC_STRING = 12;
        static final int EXTERNAL_DATA = 13;
        static final int DATA_LOCATION = 14;
        static final int METADATA_PROPS = 16;
        /** TensorProto.DataLocation.EXTERNAL. */
        static final int LOCATION_EXTERNAL = 1;

        private Tensor() {
        }
    }

    /** SparseTensorProto. */
    static final class SparseTensor {
        static final int VALUES = 1;
        static final int INDICES = 2;

        private SparseTensor() {
        }
    }

    /** TypeProto (a oneof: a tensor, or a sequence, map, optional or sparse tensor type). */
    static final class Type {
        static final int TENSOR_TYPE = 1;

        private Type() {
        }
    }

    /** TypeProto.Tensor. */
    static final class TensorTypeProto {
        static final int ELEM_TYPE = 1;
        static final int SHAPE = 2;

        private TensorTypeProto() {
        }
    }

    /** TensorShapeProto. */
    static final class Shape {
        static final int DIM = 1;

        private Shape() {
        }
    }

    /** TensorShapeProto.Dimension: a fixed size or a symbolic name (a oneof). */
    static final class Dimension {
        static final int DIM_VALUE = 1;
        static final int DIM_PARAM = 2;

        private Dimension() {
        }
    }

    /** StringStringEntryProto. */
    static final class Entry {
        static final int KEY = 1;
        static final int VALUE = 2;

        private Entry() {
        }
    }
}
