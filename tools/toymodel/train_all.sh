#!/bin/sh
# Retrain and re-export seedgrid's embedded toy family from scratch on CPU (Debian's python3-torch 1.13).
# Each stage resumes from its checkpoint in tools/toymodel/work/ (delete work/ to start over); logs are
# JSON lines in work/<stage>.jsonl, previews in tools/toymodel/out/.
# Stages 1 (AE) and 4 (CLIP) are independent; 2 needs 1, 3 needs 2; export needs all.
set -e
cd "$(dirname "$0")"
PY=/usr/bin/python3
$PY train_ae.py        # 1. autoencoder                      (~15 min on one free core)
$PY train_decoder.py   # 1b. decoder fine-tune, encoder frozen (~20 min; can run beside 2)
$PY train_teacher.py   # 2. teacher UNet + text encoders      (~75 min)
$PY train_dmd2.py      # 3. DMD2 student, real-score CFG 5, 2500 iterations (~30 min)
$PY train_clip.py      # 4. CLIP-like metric pair              (~20 min)
$PY export.py --student work/dmd2.pt   # ONNX + configs into models/, check vectors into out/onnx_check
$PY check_unet_graphs.py
$PY evaluate.py
$PY reference_images.py   # jobs/src/test/resources/toymodel/: what ShippedModelsTest compares seedgrid's renders with
java -cp ~/.m2/repository/com/microsoft/onnxruntime/onnxruntime_gpu/1.28.0/onnxruntime_gpu-1.28.0.jar \
  CheckOnnx.java ../../models out/onnx_check
