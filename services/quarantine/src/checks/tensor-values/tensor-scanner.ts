import type { Reason } from '../../pipeline/reason.js';
import { BlockChecker } from './block-checker.js';
import { PaddingChecker } from './padding-checker.js';
import { PairHistogram } from './pair-histogram.js';
import type { TensorChecker, TensorFinding } from './tensor-finding.js';
import type { LayoutRegion, TensorLayout } from './tensor-layout.js';
import { paddingReason, reasonOfFinding } from './tensor-reasons.js';
import { ValueChecker } from './value-checker.js';

export interface TensorScanResult {
  readonly tensors: TensorFinding[];
  readonly reasons: Reason[];
}

/**
 * Runs the value checks over a whole file fed in order: `push(fileOffset, bytes)` with
 * pieces of any size, contiguous, from any offset up to the first region (header bytes
 * before it are skipped). Each piece is cut at region boundaries and handed to that
 * tensor's or padding's checker; only the current region's checker is alive, so memory
 * stays flat whatever the tensor count. Pure: no I/O, no clock.
 *
 * @example
 * const scanner = new TensorScanner(layoutFromGguf(header, size));
 * for (const [offset, chunk] of chunks) scanner.push(offset, chunk);
 * const { tensors, reasons } = scanner.finish();
 */
export class TensorScanner {
  readonly #layout: TensorLayout;
  readonly #hist = new PairHistogram();
  readonly #findings: TensorFinding[] = [];
  readonly #reasons: Reason[] = [];
  #index = 0;
  #position: number | null = null;
  #tensor: TensorChecker | null = null;
  #padding: PaddingChecker | null = null;

  constructor(layout: TensorLayout) {
    assertTiles(layout);
    this.#layout = layout;
  }

  push(fileOffset: number, bytes: Uint8Array): void {
    const first = this.#layout.regions[0]?.start ?? this.#layout.fileSize;
    if (this.#position === null ? fileOffset > first : fileOffset !== this.#position) {
      throw new TypeError(`Bytes at offset ${fileOffset} arrive out of order, expected ${this.#position ?? `at most ${first}`}`);
    }
    if (fileOffset + bytes.length > this.#layout.fileSize) throw new TypeError(`Bytes run to ${fileOffset + bytes.length}, past the file size ${this.#layout.fileSize}`);
    let position = fileOffset;
    let i = 0;
    while (i < bytes.length) {
      const region = this.#layout.regions[this.#index];
      if (region === undefined) throw new TypeError(`No region holds offset ${position}`);
      if (position < region.start) {
        const skip = Math.min(region.start - position, bytes.length - i);
        i += skip;
        position += skip;
        continue;
      }
      const take = Math.min(region.end - position, bytes.length - i);
      this.#checkerFor(region).push(bytes.subarray(i, i + take), position);
      i += take;
      position += take;
      if (position === region.end) this.#close(region);
    }
    this.#position = position;
  }

  /** Findings for every tensor and the reasons they give; all bytes must have been pushed. */
  finish(): TensorScanResult {
    const end = this.#position ?? this.#layout.regions[0]?.start ?? 0;
    if (this.#index < this.#layout.regions.length) throw new TypeError(`Scan stopped at offset ${end}, the file has ${this.#layout.fileSize} bytes`);
    return { tensors: this.#findings, reasons: this.#reasons };
  }

  #checkerFor(region: LayoutRegion): { push(bytes: Uint8Array, fileOffset: number): void } {
    if (region.kind === 'padding') return (this.#padding ??= new PaddingChecker());
    if (this.#tensor === null) {
      const kind = region.tensor;
      this.#tensor = 'values' in kind ? new ValueChecker(region, kind, this.#hist) : new BlockChecker(region, kind);
    }
    return this.#tensor;
  }

  #close(region: LayoutRegion): void {
    if (region.kind === 'padding') {
      const at = this.#padding?.firstNonzero ?? null;
      if (at !== null) this.#reasons.push(paddingReason(region.start, region.end, region.after, at));
      this.#padding = null;
    } else {
      const finding = (this.#tensor ?? (this.#checkerFor(region) as TensorChecker)).finish();
      this.#findings.push(finding);
      const reason = reasonOfFinding(finding);
      if (reason !== null) this.#reasons.push(reason);
      this.#tensor = null;
    }
    this.#index++;
  }
}

/** A layout must be sorted, non-empty ranges, back to back, ending at the file size. */
function assertTiles(layout: TensorLayout): void {
  let cursor: number | null = null;
  for (const r of layout.regions) {
    if (!(r.end > r.start) || (cursor !== null && r.start !== cursor)) throw new TypeError(`Layout region ${r.start}..${r.end} does not follow ${cursor}`);
    cursor = r.end;
  }
  if (cursor !== null && cursor !== layout.fileSize) throw new TypeError(`Layout ends at ${cursor}, the file has ${layout.fileSize} bytes`);
}
