/**
 * "Verify in your browser": the record page's panel that runs the independent verifier (`verifier/`, served as
 * JavaScript by `verifier_assets.ts`) in the visitor's browser with WebCrypto, through `client/verify_record.js`
 * (the page lists that script). The panel holds the button, the optional witness keys and number required (as
 * the CLI's `--witness` / `--witnesses-required`), a progress line, the verdict (`data-verdict` when done) and
 * the checks, kind by kind. Without JavaScript it says how to run the same verification from a terminal.
 */
import { Bilingual } from "../layout.tsx";

/** The panel of the record `slug` (its script reads the slug from `data-slug`). */
export function VerifyPanel(props: { slug: string }) {
  return (
    <section class="card verify" id="verify-panel" aria-labelledby="verify-title" data-slug={props.slug}>
      <h2 id="verify-title">
        <Bilingual en="Verify in your browser" zh="在浏览器中验证" />
      </h2>
      <p>
        Your browser runs the independent verifier (the same code as{" "}
        <code>deno task verify</code>) on this record's public endpoints, with its own WebCrypto: the hashes
        of every signal and day record, the Merkle inclusion and consistency proofs of the transparency log,
        the Ed25519 signatures of its checkpoints, the witnesses' cosignatures (given their keys below), and a
        full replay of the settlement from the public prices. It trusts nothing the server computed.
      </p>
      <details>
        <summary>
          <Bilingual en="Witnesses (optional)" zh="见证人（可选）" />
        </summary>
        <p>
          <label for="verify-witnesses">Witness public keys (base64 Ed25519, one per line)</label>
          <textarea id="verify-witnesses" rows={3} spellcheck={false} autocomplete="off"></textarea>
        </p>
        <p>
          <label for="verify-witnesses-required">
            Witnesses required per signal (default: every key given)
          </label>
          <input
            id="verify-witnesses-required"
            type="number"
            min={1}
            max={100}
            step={1}
            inputmode="numeric"
          />
        </p>
      </details>
      <p>
        <button type="button" id="verify-button" disabled>
          <Bilingual en="Verify in your browser" zh="在浏览器中验证" />
        </button>
      </p>
      <progress
        class="progress"
        id="verify-meter"
        max={6}
        value={0}
        hidden
        aria-label="Verification progress"
      >
      </progress>
      <div id="verify-progress" class="muted" role="status"></div>
      <div id="verify-verdict" role="status" aria-live="polite"></div>
      <div id="verify-checks"></div>
      <p class="muted">
        From a terminal: <code id="verify-cli">deno task verify &lt;this site's URL&gt; {props.slug}</code>
      </p>
      <noscript>
        <p>The in-browser verification needs JavaScript; the command above runs the same checks.</p>
      </noscript>
    </section>
  );
}
