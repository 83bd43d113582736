/**
 * The {@code blend α} recipe: a UNet whose weights are W = W_a + α·(W_b − W_a), made from two
 * ONNX exports of the same network (base SDXL and DMD2, say) without any ONNX library.
 *
 * <ul>
 *   <li>{@link io.seedgrid.udf.blend.OnnxBlend}: check a pair and write a blend into a new directory
 *       ({@code model.onnx} + {@code model.onnx_data}), atomically.</li>
 *   <li>{@link io.seedgrid.udf.blend.BlendCache}: make each blend once per machine and reuse it.</li>
 *   <li>{@link io.seedgrid.udf.blend.OnnxFiles}: check that any model file is a whole ONNX model and read
 *       its declared inputs and outputs without ONNX Runtime (the driver's checks before Spark work), with
 *       the same protobuf reader.</li>
 * </ul>
 *
 * <p>Inside: a protobuf wire-format reader ({@code ProtoMessage}) over memory-mapped files and a
 * writer ({@code ProtoWriter}) that copies every field it does not change byte for byte, the
 * ONNX field numbers ({@code OnnxProto}), tensor storage in all its ONNX forms ({@code TensorInfo},
 * {@code ByteSource}s), the topology check that names the first difference ({@code TopologyCheck}),
 * and the streaming writer ({@code BlendWriter}, {@code WeightInterpolation}, {@code tensor.Half}).
 * Fixtures and numpy references: tools/reference/blend/make_fixtures.py.
 */
package io.seedgrid.udf.blend;
