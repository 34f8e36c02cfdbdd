/** The account's profile: email, nickname, tier and sign-in details (read-only here). */
import type { UserView } from "../../../domain/auth/user_view.ts";
import { Bilingual, Time } from "../layout.tsx";

/** The profile card. */
export function ProfileSection(props: { user: UserView }) {
  const u = props.user;
  return (
    <section class="card" id="profile" aria-labelledby="profile-h">
      <h2 id="profile-h">
        <Bilingual en="Profile" zh="个人资料" />
      </h2>
      <dl class="metrics">
        <div>
          <dt>Email 邮箱</dt>
          <dd id="profile-email">{u.email}</dd>
        </div>
        <div>
          <dt>Nickname 昵称</dt>
          <dd id="profile-nickname">{u.nickname ?? "—"}</dd>
        </div>
        <div>
          <dt>Tier 等级</dt>
          <dd id="profile-tier">{u.tier}</dd>
        </div>
        <div>
          <dt>GitHub</dt>
          <dd>{u.github_login ?? "not linked"}</dd>
        </div>
        <div>
          <dt>Member since 注册时间</dt>
          <dd>
            <Time iso={u.created_at} />
          </dd>
        </div>
      </dl>
      {u.pending_email
        ? <p class="muted">An email change to {u.pending_email} waits for its confirmation code.</p>
        : null}
    </section>
  );
}
