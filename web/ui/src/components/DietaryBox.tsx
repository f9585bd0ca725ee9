// Dietary needs and allergies, each with the basis it is kept on: health data, shown the same
// way wherever a guest appears (the profile, the briefing).
const kBasis: Record<string, string> = {
  consent: 'kept with their consent',
  this_booking: 'for this booking only',
};

interface Item {
  key: string;
  text: string;
  basis: string;
}

export function DietaryBox({ items, testId }: { items: Item[]; testId: string }) {
  if (items.length === 0) return null;
  return (
    <section class="allergy-box" aria-label="Dietary needs and allergies">
      <h3>
        <span aria-hidden="true">⚠</span> Dietary needs and allergies
      </h3>
      <ul>
        {items.map((d) => (
          <li key={d.key} data-testid={testId} data-basis={d.basis}>
            <strong>{d.text}</strong> <span class="muted">({kBasis[d.basis] ?? d.basis})</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
