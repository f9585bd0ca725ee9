// Says when the live feed is down. The live region stays in the page so screen readers
// announce the change; only its text and visibility change.
import type { LiveState } from '../live';

export function LiveBanner({ state }: { state: LiveState }) {
  const down = state === 'down';
  return (
    <div class={'live-banner' + (down ? ' live-banner-down' : '')} role="status" aria-live="polite">
      {down ? (
        <span data-testid="live-lost">
          <span aria-hidden="true">⚠ </span>Live link lost — reconnecting…
        </span>
      ) : null}
    </div>
  );
}
