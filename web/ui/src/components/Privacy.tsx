// What Mend keeps about guests, why, for how long and who may see it: docs/privacy.md itself,
// built into the tablet's page so staff can read it at the pass, and the same words as the
// installer's copy.
import privacyText from '../../../../docs/privacy.md?raw';
import { type Block, type Inline, parseMarkdown } from '../markdown';

const kBlocks = parseMarkdown(privacyText);

function Text({ parts }: { parts: Inline[] }) {
  return (
    <>
      {parts.map((p, i) =>
        p.kind === 'bold' ? <strong key={i}>{p.text}</strong> : p.kind === 'code' ? <code key={i}>{p.text}</code> : p.text,
      )}
    </>
  );
}

function Part({ block }: { block: Block }) {
  switch (block.kind) {
    case 'heading':
      return block.level === 1 ? (
        <h2>
          <Text parts={block.text} />
        </h2>
      ) : (
        <h3>
          <Text parts={block.text} />
        </h3>
      );
    case 'paragraph':
      return (
        <p>
          <Text parts={block.text} />
        </p>
      );
    case 'list':
      return (
        <ul>
          {block.items.map((item, i) => (
            <li key={i}>
              <Text parts={item} />
            </li>
          ))}
        </ul>
      );
    case 'table':
      return (
        <div class="table-scroll">
          <table>
            <thead>
              <tr>
                {block.head.map((c, i) => (
                  <th key={i} scope="col">
                    <Text parts={c} />
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {block.rows.map((r, i) => (
                <tr key={i}>
                  {r.map((c, j) => (
                    <td key={j}>
                      <Text parts={c} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
  }
}

export function Privacy({ onClose }: { onClose(): void }) {
  return (
    <section class="privacy panel" data-testid="privacy" aria-label="What Mend keeps about guests">
      <div class="privacy-bar">
        <button type="button" class="btn btn-quiet" onClick={onClose}>
          Back
        </button>
      </div>
      {kBlocks.map((b, i) => (
        <Part key={i} block={b} />
      ))}
    </section>
  );
}
