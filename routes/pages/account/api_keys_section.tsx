/**
 * API keys: the list (name, prefix and last four, created, last used — never the key), the create form, the
 * place the new key is shown once (`#api-key-secret`, filled by `client/account_keys.js` from the API's answer;
 * the server never renders a key), and revoke buttons with a confirmation step.
 */
import type { ApiKeyView } from "../../../domain/auth/api_keys.ts";
import type { Page } from "../../../domain/store/kv.ts";
import { Pager } from "../paging.tsx";
import { Bilingual, Time } from "../layout.tsx";

/** One row of `#api-keys-table` (the script builds the same cells for a key it has just created). */
function KeyRow(props: { k: ApiKeyView }) {
  const k = props.k;
  return (
    <tr data-key-id={k.id}>
      <td>{k.name}</td>
      <td>
        <code>{k.prefix}…{k.last4}</code>
      </td>
      <td>
        <Time iso={k.created_at} />
      </td>
      <td>
        <Time iso={k.last_used_at} />
      </td>
      <td class="actions">
        <button type="button" class="danger" data-revoke={k.id} aria-label={`Revoke key ${k.name}`}>
          Revoke 撤销
        </button>
      </td>
    </tr>
  );
}

/** The API keys card. */
export function ApiKeysSection(
  props: { keys: Page<ApiKeyView>; maxKeys: number; url: string; param: string },
) {
  const { keys } = props;
  return (
    <section class="card" id="api-keys" aria-labelledby="api-keys-h">
      <h2 id="api-keys-h">
        <Bilingual en="API keys" zh="API 密钥" />
      </h2>
      <p>
        Keys let your programs and agents call the API as you (<code>Authorization: Bearer qe_…</code>). A key
        is shown once, when it is made; {keys.total} of {props.maxKeys} in use.
      </p>
      <form id="api-key-create" class="row">
        <div>
          <label for="api-key-name">Key name 名称</label>
          <input
            id="api-key-name"
            name="name"
            required
            maxlength={100}
            autocomplete="off"
            placeholder="my-agent"
          />
        </div>
        <div>
          <button type="submit" id="api-key-create-submit">Create key 创建密钥</button>
        </div>
      </form>
      <noscript>
        <p class="warn">Creating and revoking keys needs JavaScript (the page calls the API).</p>
      </noscript>
      <div id="api-key-secret" hidden></div>
      <div id="api-keys-status" role="status"></div>
      <div class="table-wrap">
        <table id="api-keys-table">
          <caption class="muted">Your keys, newest first 你的密钥</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span class="muted">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.items.length === 0
              ? (
                <tr data-empty="">
                  <td colspan={5} class="muted">No keys yet.</td>
                </tr>
              )
              : keys.items.map((k) => <KeyRow key={k.id} k={k} />)}
          </tbody>
        </table>
      </div>
      <Pager
        url={props.url}
        param={props.param}
        offset={keys.offset}
        total={keys.total}
        limit={keys.limit}
        label="API keys pages"
      />
    </section>
  );
}
