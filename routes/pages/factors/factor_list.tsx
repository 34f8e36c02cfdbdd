/** `/app/factors`: the signed-in user's factors as `GET /api/v1/factors` lists them. */
import type { FactorView } from "../../../domain/factors/factor_views.ts";
import { fmtNumber, fmtTime } from "../format.ts";
import { StatusBadge } from "../tracked/page_helpers.tsx";

/** The factors table (`#factors-table`). */
export function FactorsTable(props: { factors: FactorView[] }) {
  if (props.factors.length === 0) {
    return (
      <p id="factors-empty" class="muted">
        No factors yet. Create one and upload its values with the API (<code>POST /api/v1/factors</code>, then
        {" "}
        <code>POST /api/v1/factors/{"{id}"}/values</code>), or let the platform compute a formula factor.
      </p>
    );
  }
  return (
    <div class="table-wrap">
      <table id="factors-table">
        <caption class="muted">Newest first</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Universe</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">IC mean</th>
            <th scope="col" class="num">IC IR</th>
            <th scope="col" class="num">OS IC (60 d)</th>
            <th scope="col" class="num">Value days</th>
            <th scope="col">Validated</th>
          </tr>
        </thead>
        <tbody>
          {props.factors.map((f) => (
            <tr data-factor-id={f.id}>
              <td>
                <a href={`/app/factors/${encodeURIComponent(f.id)}`}>{f.name}</a>
              </td>
              <td>{f.universe}</td>
              <td>
                <StatusBadge status={f.status} />
              </td>
              <td class="num">{fmtNumber(f.is.ic_mean, 4)}</td>
              <td class="num">{fmtNumber(f.is.ic_ir, 3)}</td>
              <td class="num">{fmtNumber(f.os.ic_mean_60d, 4)}</td>
              <td class="num">{f.values.total_days}</td>
              <td>{fmtTime(f.validated_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
