import { useEffect, useState } from 'preact/hooks';

// Re-renders the caller every second. Timers count on the client so they tick without the
// server; `skewMs` (server clock minus tablet clock, from the floor's "now") keeps a tablet
// whose clock is off from showing a wrong wait.
export function useNow(skewMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    // Align ticks to the second boundary so every timer on the page changes together.
    let interval: number | undefined;
    const first = window.setTimeout(() => {
      setNow(Date.now());
      interval = window.setInterval(() => setNow(Date.now()), 1000);
    }, 1000 - (Date.now() % 1000));
    return () => {
      window.clearTimeout(first);
      window.clearInterval(interval);
    };
  }, []);
  return now + skewMs;
}
