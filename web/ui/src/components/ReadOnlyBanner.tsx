// Says, above everything, that the box cannot save and so takes no decisions: mendd refuses
// every change with 503 read_only while its store.unwritable case is open, and the banner goes
// when that case closes (the live feed carries both).
import type { Case } from '../types';

export function ReadOnlyBanner({ unwritable, onOpenCase }: { unwritable: Case | null; onOpenCase: (id: string) => void }) {
  return (
    <div class={'readonly-banner' + (unwritable ? ' readonly-banner-on' : '')} role="alert">
      {unwritable ? (
        <span data-testid="read-only">
          <span aria-hidden="true">⚠ </span>
          <strong>Read-only: Mend cannot save right now.</strong> Cases stay on screen but decisions wait until it can
          save again; the venue's signals are kept by the broker meanwhile.{' '}
          <button type="button" class="btn btn-quiet" onClick={() => onOpenCase(unwritable.id)}>
            What to do
          </button>
        </span>
      ) : null}
    </div>
  );
}
