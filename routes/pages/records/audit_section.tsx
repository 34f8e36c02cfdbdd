/** `#audit-log`: a page of the strategy's audit trail, newest first, with paging links. */
import { Bilingual } from "../layout.tsx";
import type { AuditView } from "./record_data.ts";
import { Pager } from "../paging.tsx";
import { AUDIT_PER_PAGE, type RecordSelection } from "./query.ts";
import { recordHref } from "./record_href.ts";

/** The audit table. */
export function AuditSection(props: { slug: string; audit: AuditView; sel: RecordSelection }) {
  const { audit, sel, slug } = props;
  const entries = audit.audit_log;
  return (
    <section class="card" id="audit-log" aria-labelledby="audit-title">
      <h2 id="audit-title">
        <Bilingual en="Audit log" zh="审计日志" />
      </h2>
      <p class="muted">
        {audit.total === 0
          ? "No entries."
          : `Entries ${sel.audit_offset + 1}–${
            sel.audit_offset + entries.length
          } of ${audit.total}, newest first.`}
      </p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Recorded</th>
              <th scope="col">Date</th>
              <th scope="col">Type</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr>
                <td>{e.at}</td>
                <td>{e.date}</td>
                <td>
                  <span class="badge">{e.type}</span>
                </td>
                <td>{e.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager
        url={recordHref(slug, sel)}
        param="audit_offset"
        fragment="audit-log"
        offset={sel.audit_offset}
        limit={AUDIT_PER_PAGE}
        total={audit.total}
        label="Pages of the audit log"
        count={false}
      />
    </section>
  );
}
