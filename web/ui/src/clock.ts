import { useEffect, useState } from 'preact/hooks';

// Re-renders the caller twice a second so the mm:ss timers tick on the tablet, without the
// server. Each timer starts at its own millisecond, so sampling at 1 Hz would now and then
// skip or repeat a second; 2 Hz shows every one.
//
// The time is read at render rather than kept from the last tick: a render caused by new
// data (a floor update) must not show a wait older than the server's verdict next to it.
// `skewMs` (server clock minus tablet clock, from the floor's "now") keeps a tablet whose
// clock is off from showing a wrong wait.
export function useNow(skewMs: number): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    const interval = window.setInterval(() => setTick((n) => n + 1), 500);
    return () => window.clearInterval(interval);
  }, []);
  return Date.now() + skewMs;
}
