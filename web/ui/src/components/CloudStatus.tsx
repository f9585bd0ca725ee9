// The cloud link as /readyz reports it, for managers: connected or not, how many messages wait
// on the box and since when, and when the cloud last took one. Nothing when the link is off.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import type { CloudState } from '../types';

// The link changes slowly (a reconnect backs off up to a minute): a look every 10 s will do.
const kEveryMs = 10000;

function ago(seconds: number): string {
  if (seconds < 90) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 48 * 3600) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} days`;
}

export function cloudWords(c: CloudState): string {
  const parts = [c.connected ? 'Cloud: connected' : 'Cloud: not connected'];
  if ((c.unsent ?? 0) > 0) {
    parts.push(`${(c.unsent ?? 0).toLocaleString('en-GB')} waiting`);
    if (c.oldest_unsent_seconds !== undefined) parts.push(`oldest ${ago(c.oldest_unsent_seconds)}`);
  }
  if (c.outbox_full) parts.push('outbox full: oldest given up');
  return parts.join(' · ');
}

export function CloudStatus() {
  const [cloud, setCloud] = useState<CloudState | null>(null);
  useEffect(() => {
    let stopped = false;
    const look = async () => {
      try {
        const r = await api.readiness();
        if (!stopped) setCloud(r.cloud ?? null);
      } catch {
        // mendd is restarting: the live banner says so; the next look tries again.
      }
    };
    void look();
    const timer = window.setInterval(() => void look(), kEveryMs);
    return () => {
      stopped = true;
      window.clearInterval(timer);
    };
  }, []);
  if (!cloud?.enabled) return null;
  const behind = !cloud.connected || cloud.outbox_full;
  return (
    <span class={'cloud-status' + (behind ? ' cloud-status-behind' : '')} data-testid="cloud-status" title={cloud.last_acknowledged ? `The cloud last took a message at ${new Date(cloud.last_acknowledged).toLocaleTimeString('en-GB')}` : 'The cloud has taken nothing since Mend started'}>
      {cloudWords(cloud)}
    </span>
  );
}
