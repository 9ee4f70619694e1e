import { Writable } from 'node:stream';

/** A pino destination that keeps every line written to it. */
export class LineCapture extends Writable {
  readonly lines: string[] = [];
  private partial = '';

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts.filter((l) => l !== ''));
    callback();
  }

  /** Every line parsed as JSON (throws on the first one that is not). */
  json(): Array<Record<string, unknown>> {
    return this.lines.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`log line is not JSON: ${line.slice(0, 200)}`);
      }
    });
  }

  text(): string {
    return this.lines.join('\n') + this.partial;
  }
}
