// The live feed (WS /api/v1/live), reconnecting on its own. It remembers the server's run id
// and the last sequence number applied, so a reconnect asks only for what was missed
// (?since=&run=); a different run (mendd restarted with a new sequence) or the server's
// {"type":"resync"} makes the app reload through REST instead.
import type { Alert, BriefingAlert, Budget, Case, Floor } from './types';

export type LiveState = 'connecting' | 'up' | 'down';

export interface LiveHandlers {
  onCase(c: Case): void;
  onFloor(f: Floor): void;
  onAlert(a: Alert, seq: number): void;
  onBudget(b: Budget): void;
  onBriefing(b: BriefingAlert, seq: number): void;
  onResync(): void;
  onState(s: LiveState): void;
}

const kFirstDelayMs = 1000;
const kMaxDelayMs = 15000;

type Message =
  | { type: 'hello'; run: string; seq: number }
  | { type: 'case'; seq: number; data: Case }
  | { type: 'floor'; seq: number; data: Floor }
  | { type: 'alert'; seq: number; data: Alert }
  | { type: 'budget'; seq: number; data: Budget }
  | { type: 'briefing'; seq: number; data: BriefingAlert }
  | { type: 'resync' };

export class LiveLink {
  private ws: WebSocket | null = null;
  private run: string | null = null;
  private seq: number | null = null;
  private failures = 0;
  private retryTimer: number | undefined;
  private stopped = false;

  constructor(private readonly handlers: LiveHandlers) {}

  start(): void {
    this.stopped = false;
    window.addEventListener('online', this.reconnectNow);
    window.addEventListener('offline', this.dropNow);
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.reconnectNow);
    window.removeEventListener('offline', this.dropNow);
    window.clearTimeout(this.retryTimer);
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, 'signed out');
  }

  // Exposed for tests and for the "online" event: skip the rest of the backoff.
  reconnectNow = (): void => {
    if (this.stopped || (this.ws && this.ws.readyState <= WebSocket.OPEN)) return;
    window.clearTimeout(this.retryTimer);
    this.connect();
  };

  // A tablet that loses Wi-Fi may keep a dead socket open for minutes; the browser knows
  // sooner, so say so at once and start reconnecting.
  // Its closing handshake may never finish, so it is forgotten here rather than in onclose.
  private dropNow = (): void => {
    const ws = this.ws;
    if (!ws || this.stopped) return;
    this.ws = null;
    ws.close();
    this.handlers.onState('down');
    this.scheduleRetry();
  };

  private url(): string {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let url = `${proto}//${location.host}/api/v1/live`;
    if (this.seq !== null && this.run !== null) {
      url += `?since=${this.seq}&run=${encodeURIComponent(this.run)}`;
    }
    return url;
  }

  private connect(): void {
    this.handlers.onState(this.failures === 0 ? 'connecting' : 'down');
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url());
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    // Without a cursor the server waits a moment for one; an empty first message says "follow
    // from now", so a fresh tablet is live at once.
    if (this.seq === null || this.run === null) {
      ws.onopen = () => {
        if (this.ws === ws) ws.send('{}');
      };
    }
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this.receive(ev.data);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      this.handlers.onState('down');
      this.scheduleRetry();
    };
    // An error is always followed by close; the retry is scheduled there.
    ws.onerror = () => {};
  }

  private receive(raw: unknown): void {
    if (typeof raw !== 'string') return;
    let msg: Message;
    try {
      msg = JSON.parse(raw) as Message;
    } catch {
      return;
    }
    switch (msg.type) {
      case 'hello': {
        const sameRun = this.run !== null && this.run === msg.run && this.seq !== null;
        // Up only once the server has spoken: an upgrade can be accepted and dropped at once.
        this.failures = 0;
        this.handlers.onState('up');
        if (!sameRun) {
          // A first connection, or mendd restarted: what we hold may be stale.
          const hadRun = this.run !== null;
          this.run = msg.run;
          this.seq = msg.seq;
          if (hadRun) this.handlers.onResync();
        }
        break;
      }
      case 'case':
        this.advance(msg.seq);
        this.handlers.onCase(msg.data);
        break;
      case 'floor':
        this.advance(msg.seq);
        this.handlers.onFloor(msg.data);
        break;
      case 'alert':
        // An alert replayed after a reconnect (?since=) is still news to a person who missed it;
        // the app drops one whose case somebody has taken since.
        this.advance(msg.seq);
        if (msg.data && typeof msg.data.case === 'string') this.handlers.onAlert(msg.data, msg.seq);
        break;
      case 'budget':
        this.advance(msg.seq);
        if (msg.data) this.handlers.onBudget(msg.data);
        break;
      case 'briefing':
        // Replayed after a reconnect too; the app shows one shift's briefing once.
        this.advance(msg.seq);
        if (msg.data && typeof msg.data.from === 'string') this.handlers.onBriefing(msg.data, msg.seq);
        break;
      case 'resync':
        this.handlers.onResync();
        break;
    }
  }

  private advance(seq: number): void {
    if (typeof seq === 'number' && (this.seq === null || seq > this.seq)) this.seq = seq;
  }

  // Capped exponential backoff with jitter: 1 s doubling to 15 s, each wait drawn from its
  // upper half so a room of tablets does not reconnect in step after mendd restarts.
  private scheduleRetry(): void {
    const ceiling = Math.min(kMaxDelayMs, kFirstDelayMs * 2 ** this.failures);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.failures += 1;
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => {
      if (!this.stopped) this.connect();
    }, delay);
  }
}
