/**
 * One WebSocket client of the serve host: its calls, from the frame that carries one to the moment
 * its reply has left for the socket.
 *
 * A client that stops reading must not grow the server. So:
 *  - a call counts as outstanding until its reply is written out to the socket (ws's send callback),
 *    not merely computed; past `maxInFlight` outstanding calls a new one is answered 'busy';
 *  - at most `maxRunning` calls of a socket are being worked on at once (the rest wait here as small
 *    frames, not as big replies); cheap interactive calls skip that line;
 *  - when the replies not yet written out (ws's bufferedAmount) pass `maxBufferedBytes`, no new call
 *    is started and the socket is no longer read (ws.pause()) until they drain below half of it;
 *    still over after `maxStallMs`, the socket is closed with a reason and then dropped, which frees
 *    what it held; its calls still waiting for the engine are dropped too.
 */
import type { WebSocket } from 'ws';
import { isInteractiveCall } from '../service/engine-queue';
import { dispatch, type ContractService } from '../service/dispatch';
import { decodeFrame, encodeFrame, type ClientMessage, type ServerMessage } from '../shared/wire';

export interface ClientLimits {
  maxInFlight: number;
  maxRunning: number;
  maxBufferedBytes: number;
  maxStallMs: number;
  /** After the close frame, how long a client that does not read gets before the socket is dropped. */
  closeGraceMs: number;
}

/** Closed because its replies were not read (1008: policy violation). */
export const UNREAD_CLOSE_CODE = 1008;

export class ClientSocket {
  private readonly waiting: ClientMessage[] = [];
  private running = 0;
  private undelivered = 0;
  private stallTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Aborted when the socket closes: the engine queue drops what this socket still has waiting. */
  private readonly gone = new AbortController();
  /** The most reply bytes this socket held unsent at once. */
  peakBufferedBytes = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly caller: string,
    private readonly service: ContractService,
    private readonly limits: ClientLimits,
    private readonly log: (message: string) => void,
  ) {
    const unsubscribe = service.on((name, data) => this.send({ kind: 'event', name, data }));
    ws.on('message', (raw, isBinary) => this.receive(raw, isBinary));
    const end = (): void => {
      this.closed = true;
      this.waiting.length = 0;
      this.gone.abort();
      if (this.stallTimer) clearTimeout(this.stallTimer);
      unsubscribe();
    };
    ws.on('close', end);
    ws.on('error', end);
  }

  get bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  get paused(): boolean {
    return this.ws.isPaused;
  }

  /** Calls received and not yet answered onto the socket. */
  get outstanding(): number {
    return this.waiting.length + this.running + this.undelivered;
  }

  private get overBound(): boolean {
    return this.ws.bufferedAmount > this.limits.maxBufferedBytes;
  }

  private receive(raw: WebSocket.RawData, isBinary: boolean): void {
    let message: ClientMessage;
    try {
      if (!isBinary) throw new Error('text frames are not part of the protocol');
      const bytes = Array.isArray(raw) ? Buffer.concat(raw) : raw instanceof ArrayBuffer ? new Uint8Array(raw) : raw;
      message = decodeFrame(bytes) as ClientMessage;
      if (!message || message.kind !== 'call' || !Number.isInteger(message.id)) throw new Error('expected a call');
    } catch (err) {
      this.ws.close(1003, `malformed message: ${(err as Error).message}`.slice(0, 120));
      return;
    }
    if (this.outstanding >= this.limits.maxInFlight) {
      const error = { code: 'busy', message: `more than ${this.limits.maxInFlight} calls are waiting: wait for their answers` };
      this.send({ kind: 'result', id: message.id, ok: false, error });
      return;
    }
    this.waiting.push(message);
    this.pump();
  }

  /** Starts what may start now: interactive calls first, then the others up to maxRunning. */
  private pump(): void {
    while (!this.closed && this.waiting.length && !this.overBound) {
      let i = this.waiting.findIndex((m) => isInteractiveCall(m.method, m.args));
      if (i < 0 && this.running < this.limits.maxRunning) i = 0;
      if (i < 0) return;
      this.start(this.waiting.splice(i, 1)[0]);
    }
  }

  private start(message: ClientMessage): void {
    this.running++;
    void dispatch(this.service.handlers, message.method, message.args, { id: this.caller, gone: this.gone.signal }).then((result) => {
      this.running--;
      const reply: ServerMessage = result.ok
        ? { kind: 'result', id: message.id, ok: true, value: result.value }
        : { kind: 'result', id: message.id, ok: false, error: result.error };
      this.undelivered++;
      if (!this.send(reply, () => this.undelivered--)) this.undelivered--;
      this.pump();
    });
  }

  /** Queues a frame on the socket; `delivered` runs once it is written out. False if the socket is gone. */
  private send(message: ServerMessage, delivered?: () => void): boolean {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return false;
    this.ws.send(encodeFrame(message), () => {
      delivered?.();
      this.relieve();
    });
    this.peakBufferedBytes = Math.max(this.peakBufferedBytes, this.ws.bufferedAmount);
    if (this.overBound) this.hold();
    return true;
  }

  /** Too much unsent: stop reading, and give the client maxStallMs to catch up. */
  private hold(): void {
    if (!this.ws.isPaused) this.ws.pause();
    this.stallTimer ??= setTimeout(() => {
      this.stallTimer = null;
      if (!this.overBound || this.closed) return;
      const mb = (this.ws.bufferedAmount / 2 ** 20).toFixed(1);
      this.log(`closing ${this.caller}: its replies are not read (${mb} MB unsent for ${this.limits.maxStallMs / 1000} s)`);
      this.ws.close(UNREAD_CLOSE_CODE, `replies not read: ${mb} MB unsent for ${this.limits.maxStallMs / 1000} s`);
      setTimeout(() => this.ws.terminate(), this.limits.closeGraceMs).unref();
    }, this.limits.maxStallMs);
    this.stallTimer.unref();
  }

  /** Something was written out: read again once below half the bound. */
  private relieve(): void {
    if (this.closed || this.ws.bufferedAmount > this.limits.maxBufferedBytes / 2) return;
    if (this.stallTimer) {
      clearTimeout(this.stallTimer);
      this.stallTimer = null;
    }
    if (this.ws.isPaused) this.ws.resume();
    this.pump();
  }
}
