import type { FloatArray } from '@quadrix/core';

/**
 * CPU storage: a contiguous row-major typed array. Values are never written after a kernel returns,
 * so handles may share one array (reshape does).
 */
export class CpuHandle {
  constructor(readonly values: FloatArray) {}
}

