#!/usr/bin/env bash
# Spark GPU discovery script: prints the GPUs of this machine as the JSON Spark expects,
#   {"name":"gpu","addresses":["0","1"]}
# Use it for spark.executor.resource.gpu.discoveryScript (YARN, Kubernetes) or
# spark.worker.resource.gpu.discoveryScript (standalone workers); see conf/spark-defaults.cluster-gpu.conf.
# The script must be executable on every node.
#
# Addresses are CUDA device numbers, which seedgrid passes to ONNX Runtime as cuda:N:
# - With CUDA_VISIBLE_DEVICES set, CUDA renumbers the visible GPUs 0..n-1, so those are printed.
# - Otherwise nvidia-smi's indices are printed (its order is CUDA's when CUDA_DEVICE_ORDER=PCI_BUS_ID,
#   which nvidia-smi always uses; set that variable for the executors on machines with mixed GPUs).
# Without nvidia-smi (or when it fails) the address list is empty and the reason goes to stderr; a
# worker or executor that was asked for GPUs then refuses to start, naming the shortfall.

set -u

print_addresses() {
    local out='{"name":"gpu","addresses":['
    local sep=''
    local a
    for a in "$@"; do
        out+="${sep}\"${a}\""
        sep=','
    done
    printf '%s]}\n' "$out"
}

if [[ -n "${CUDA_VISIBLE_DEVICES+set}" ]]; then
    visible="${CUDA_VISIBLE_DEVICES// /}"
    if [[ -z "$visible" || "$visible" == "-1" || "$visible" == "NoDevFiles" ]]; then
        echo "gpu-discovery.sh: CUDA_VISIBLE_DEVICES='${CUDA_VISIBLE_DEVICES}' hides every GPU" >&2
        print_addresses
        exit 0
    fi
    IFS=',' read -r -a entries <<< "$visible"
    addresses=()
    for i in "${!entries[@]}"; do
        [[ -n "${entries[$i]}" ]] && addresses+=("${#addresses[@]}")
    done
    print_addresses ${addresses[@]+"${addresses[@]}"}
    exit 0
fi

if ! command -v nvidia-smi > /dev/null 2>&1; then
    echo "gpu-discovery.sh: nvidia-smi not found on PATH; reporting no GPUs" >&2
    print_addresses
    exit 0
fi

if ! listing="$(nvidia-smi --query-gpu=index --format=csv,noheader 2>&1)"; then
    echo "gpu-discovery.sh: nvidia-smi failed, reporting no GPUs: ${listing}" >&2
    print_addresses
    exit 0
fi

addresses=()
while IFS= read -r line; do
    line="${line//[[:space:]]/}"
    if [[ "$line" =~ ^[0-9]+$ ]]; then
        addresses+=("$line")
    elif [[ -n "$line" ]]; then
        echo "gpu-discovery.sh: ignoring unexpected nvidia-smi line: ${line}" >&2
    fi
done <<< "$listing"
print_addresses ${addresses[@]+"${addresses[@]}"}
