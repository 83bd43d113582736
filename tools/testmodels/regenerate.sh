#!/bin/sh
# Regenerates the tiny SDXL test models and their golden pipeline values, then (with --check)
# verifies them in ONNX Runtime Java against the torch modules. Run from anywhere; CPU only.
set -eu
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3          # Debian's python with python3-torch 1.13 and python3-onnx 1.12
CHECK_DIR=${TMPDIR:-/tmp}/tiny-sdxl-check
$PY tools/testmodels/make_tiny_sdxl.py --check-fixtures "$CHECK_DIR"
$PY tools/testmodels/reference_pipeline.py
if [ "${1:-}" = "--check" ]; then
  M2=$HOME/.m2/repository
  CP=$M2/com/microsoft/onnxruntime/onnxruntime_gpu/1.28.0/onnxruntime_gpu-1.28.0.jar
  java -cp "$CP" tools/testmodels/CheckOnnx.java "$CHECK_DIR"
  TCP=$M2/ai/djl/huggingface/tokenizers/0.33.0/tokenizers-0.33.0.jar:$M2/ai/djl/api/0.33.0/api-0.33.0.jar
  TCP=$TCP:$M2/com/google/code/gson/gson/2.13.1/gson-2.13.1.jar:$M2/net/java/dev/jna/jna/5.14.0/jna-5.14.0.jar
  TCP=$TCP:$M2/org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar
  java -cp "$TCP" tools/testmodels/CheckTokenizer.java "$CHECK_DIR/fast-tokenizer"
  J=$M2/com/fasterxml/jackson/core
  CP=$CP:$J/jackson-databind/2.21.2/jackson-databind-2.21.2.jar:$J/jackson-core/2.21.2/jackson-core-2.21.2.jar
  CP=$CP:$J/jackson-annotations/2.21/jackson-annotations-2.21.jar
  M=udf/src/test/resources/tiny-sdxl
  G=udf/src/test/resources/golden/pipeline
  for v in fp32 float-timestep external-data; do
    echo "== pipeline on $v"; java -cp "$CP" tools/testmodels/CheckPipeline.java $M/$v $G 'case_h*.json'
  done
  echo "== pipeline on fp16"; java -cp "$CP" tools/testmodels/CheckPipeline.java $M/fp16 $G 'case_fp16_*.json'
  echo "== pipeline with the blended UNet"
  java -cp "$CP" tools/testmodels/CheckPipeline.java $M/fp32 $G 'case_blend*.json' --unet "$CHECK_DIR/blend0.5-unet/model.onnx"
fi
