/** One request at a time to one worker, typed by the protocol; a dead worker rejects what it owes. */
import type { Request, RequestType } from '../../em/protocol.js';
import type { FromWorker, SetupMessage, WorkerReply } from './messages.js';
import type { WorkerHandle } from './spawn.js';
import { payloadToError } from './wire.js';

export class Channel {
  private pending: { resolve: (m: FromWorker) => void; reject: (e: unknown) => void } | null = null;
  private dead: Error | null = null;

  constructor(
    readonly handle: WorkerHandle,
    private readonly onDeath: (e: Error) => void,
  ) {
    handle.listen(
      (m) => {
        const p = this.pending;
        this.pending = null;
        if (!p) return;
        if (m.type === 'error') p.reject(payloadToError(m.error));
        else p.resolve(m);
      },
      (e) => {
        this.dead = e;
        const p = this.pending;
        this.pending = null;
        p?.reject(e);
        this.onDeath(e);
      },
    );
  }

  /** No request in flight and the worker alive: it may serve another fit. */
  get idle(): boolean {
    return this.pending === null && this.dead === null && !this.handle.dead;
  }

  private post(msg: Parameters<WorkerHandle['post']>[0], transfer?: Transferable[]): Promise<FromWorker> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.handle.post(msg, transfer);
    });
  }

  /** Hands the worker its rows; resolves with the backend it runs. */
  async setup(msg: SetupMessage, transfer: Transferable[]): Promise<FromWorker & { type: 'ready' }> {
    const m = await this.post(msg, transfer);
    if (m.type !== 'ready') throw new Error(`gaussmix: fitAsync worker sent '${m.type}' where 'ready' was expected`);
    return m;
  }

  /** One request of the protocol, answered by the worker. */
  async ask<T extends RequestType>(request: Request<T>): Promise<WorkerReply<T>> {
    const m = await this.post({ type: 'request', request: request as Request });
    if (m.type !== 'reply') throw new Error(`gaussmix: fitAsync worker sent '${m.type}' where a reply was expected`);
    return m.value as WorkerReply<T>;
  }
}
