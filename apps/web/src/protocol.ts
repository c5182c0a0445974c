import type { Distance } from '@quadrix/models';

/** Messages between the page and the training worker. */
export type BackendName = 'cpu' | 'gpujs' | 'webgpu';

export interface FitRequest {
  readonly type: 'fit';
  readonly backend: BackendName;
  /** row-major [rows, n] */
  readonly points: Float32Array;
  readonly rows: number;
  readonly n: number;
  readonly m: number;
  readonly distance: Distance;
  readonly optimizer: 'sgd' | 'adam';
  readonly lr: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  /** send the parameters with every progress report (small models: live drawing) */
  readonly liveParams: boolean;
  /** also score every row when done */
  readonly score: boolean;
}

export interface HostModel {
  readonly n: number;
  readonly m: number;
  readonly quadratic: Float32Array;
  readonly linear: Float32Array;
  readonly free: Float32Array;
}

export type FromWorker =
  | { readonly type: 'progress'; readonly epoch: number; readonly step: number; readonly loss: number; readonly stiefelError: number; readonly pointsPerSecond: number; readonly params?: HostModel }
  | { readonly type: 'done'; readonly stopped: string; readonly steps: number; readonly params: HostModel; readonly scores?: Float32Array; readonly backend: string }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'probe'; readonly unavailable: Record<string, string | undefined> };

export type ToWorker = FitRequest | { readonly type: 'stop' } | { readonly type: 'probe' };
