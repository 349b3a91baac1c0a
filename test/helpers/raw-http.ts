/**
 * Raw TCP connections to a daemon, for requests no HTTP client would send:
 * headers and part of a body, a body shorter than its Content-Length, a byte a
 * second. Each records what the daemon answered and when it closed.
 */
import net from 'node:net';

export interface RawConnection {
  socket: net.Socket;
  /** Resolves once the TCP connection is established. */
  connected: Promise<void>;
  /** Resolves once the connection is closed (by either side). */
  closed: Promise<void>;
  isClosed(): boolean;
  /** Everything the daemon sent, as latin1 text. */
  received(): string;
  /** Writes unless the connection is already gone; never throws. */
  write(data: string | Buffer): void;
}

export function rawConnection(port: number): RawConnection {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  // A reset by the daemon is one of the outcomes under test, not a failure of the test.
  socket.on('error', () => undefined);
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('close', () => reject(new Error('closed before connecting')));
  });
  connected.catch(() => undefined);
  const closedP = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closed = true;
      resolve();
    }),
  );
  return {
    socket,
    connected,
    closed: closedP,
    isClosed: () => closed,
    received: () => received,
    write(data) {
      if (!closed && socket.writable) socket.write(data);
    },
  };
}

/** The head of a POST whose body is `contentLength` bytes long (what follows is up to the test). */
export function postHead(path: string, contentLength: number, extra: Record<string, string> = {}): string {
  const headers = {
    Host: '127.0.0.1',
    'Content-Type': 'application/json',
    'Content-Length': String(contentLength),
    ...extra,
  };
  return `POST ${path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}

/** Resolves true when `promise` settles within `ms`, false otherwise (a bound, not a speed check). */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once `conn` has received `text` (or closed without it). */
export async function until(conn: RawConnection, text: string): Promise<boolean> {
  for (;;) {
    if (conn.received().includes(text)) return true;
    if (conn.isClosed()) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
}
