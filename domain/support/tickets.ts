/** Support tickets: users open and follow up on their own; admins list all and answer, which notifies the owner. */
import { iso } from "../iso_time.ts";
import { newId } from "../tokens_and_hashes.ts";
import { BadRequestError, ForbiddenError, NotFoundError } from "../errors.ts";
import { type Page, type PageRequest, withRetry } from "../store/kv.ts";
import type {
  ReplyAuthor,
  TicketCategory,
  TicketRecord,
  TicketReplyRecord,
  TicketRepo,
  TicketStatus,
} from "../store/ticket_repo.ts";
import { type NotificationDeps, notifyUser } from "./notifications.ts";

export { TICKET_CATEGORIES, TICKET_STATUSES } from "../store/ticket_repo.ts";

/** A ticket holds at most this many replies after its opening message; then the user opens a new one. */
export const MAX_TICKET_REPLIES = 200;

/** What support services need: tickets, plus notifications to tell owners about answers. */
export interface SupportDeps extends NotificationDeps {
  tickets: TicketRepo;
}

/**
 * A ticket as lists show it: the QuantGPT guide's fields (`title`, `description`, `admin_reply`, `resolved_at`)
 * beside this API's earlier names for the first two (`subject`, `message`, the same texts).
 */
export interface TicketView {
  id: string;
  user_id: string;
  title: string;
  description: string;
  subject: string;
  message: string;
  category: TicketCategory;
  status: TicketStatus;
  /** The text of the latest support reply, `null` when support has not answered. */
  admin_reply: string | null;
  /** When the ticket was closed (ISO), `null` unless its status is `closed`. */
  resolved_at: string | null;
  reply_count: number;
  created_at: string;
  updated_at: string;
}

/** A reply as the API shows it (support replies do not name the admin). */
export interface TicketReplyView {
  id: string;
  author: ReplyAuthor;
  message: string;
  created_at: string;
}

/** A ticket with its replies, oldest first. */
export interface TicketDetailView extends TicketView {
  replies: TicketReplyView[];
}

/** What a user sends to open a ticket. */
export interface NewTicketInput {
  title: string;
  description: string;
  category: TicketCategory;
}

/**
 * Converts a stored ticket to its list view. `admin_reply` is the latest support reply's text: the stored one, or
 * (for a ticket stored before it was kept) the one found in `replies` when given. `resolved_at` is `updated_at` of
 * a closed ticket: every change of a ticket is a reply that sets its status, so the last one closed it.
 */
function toTicketView(r: TicketRecord, replies?: TicketReplyRecord[]): TicketView {
  const fromReplies = replies?.findLast((x) => x.author === "support")?.message ?? null;
  return {
    id: r.id,
    user_id: r.user_id,
    title: r.subject,
    description: r.message,
    subject: r.subject,
    message: r.message,
    category: r.category,
    status: r.status,
    admin_reply: r.admin_reply !== undefined ? r.admin_reply : fromReplies,
    resolved_at: r.status === "closed" ? iso(r.updated_at) : null,
    reply_count: r.reply_count,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

/**
 * List views of a page of tickets; a ticket stored before `admin_reply` was kept, with replies, has them read
 * (at most one read per ticket of the page, so bounded by the page size).
 */
async function toTicketViews(deps: SupportDeps, records: TicketRecord[]): Promise<TicketView[]> {
  return await Promise.all(
    records.map(async (r) =>
      r.admin_reply === undefined && r.reply_count > 0
        ? toTicketView(r, await deps.tickets.listReplies(r.id))
        : toTicketView(r)
    ),
  );
}

/** Converts a stored reply to its view. */
function toTicketReplyView(r: TicketReplyRecord): TicketReplyView {
  return { id: r.id, author: r.author, message: r.message, created_at: iso(r.created_at) };
}

async function detail(deps: SupportDeps, record: TicketRecord): Promise<TicketDetailView> {
  const replies = await deps.tickets.listReplies(record.id);
  return { ...toTicketView(record, replies), replies: replies.map(toTicketReplyView) };
}

const notFound = (id: string) => new NotFoundError(`Ticket "${id}" not found`);

/** How many tickets not yet closed a disabled account may hold (it keeps only the way to contact support). */
export const MAX_OPEN_TICKETS_WHEN_DISABLED = 3;

/**
 * Opens a ticket for `userId` with status `open`. A disabled account (`accountDisabled`) may still open one — the
 * QuantGPT guide sends it to support through this route — while it holds fewer than
 * `MAX_OPEN_TICKETS_WHEN_DISABLED` tickets that are not closed (`ForbiddenError` after that).
 */
export async function createTicket(
  deps: SupportDeps,
  userId: string,
  input: NewTicketInput,
  opts: { accountDisabled?: boolean } = {},
): Promise<TicketDetailView> {
  if (opts.accountDisabled) {
    const first = { limit: 1, offset: 0 };
    const [open, answered] = await Promise.all([
      deps.tickets.listByUser(userId, first, "open"),
      deps.tickets.listByUser(userId, first, "answered"),
    ]);
    if (open.total + answered.total >= MAX_OPEN_TICKETS_WHEN_DISABLED) {
      throw new ForbiddenError(
        `Account disabled: it may hold at most ${MAX_OPEN_TICKETS_WHEN_DISABLED} tickets that are not closed; ` +
          "wait for support's answer",
      );
    }
  }
  const now = deps.clock.now();
  const record: TicketRecord = {
    id: newId("tkt", now),
    user_id: userId,
    subject: input.title.trim(),
    category: input.category,
    status: "open",
    message: input.description.trim(),
    reply_count: 0,
    admin_reply: null,
    created_at: now,
    updated_at: now,
  };
  await deps.tickets.create(record);
  return { ...toTicketView(record), replies: [] };
}

/** The user's own tickets, newest first, optionally of one status. */
export async function listMyTickets(
  deps: SupportDeps,
  userId: string,
  page: PageRequest,
  status?: TicketStatus,
): Promise<Page<TicketView>> {
  const result = await deps.tickets.listByUser(userId, page, status);
  return { ...result, items: await toTicketViews(deps, result.items) };
}

/** One of the user's tickets with its replies; someone else's ticket is `NotFoundError`, as if it did not exist. */
export async function getMyTicket(deps: SupportDeps, userId: string, id: string): Promise<TicketDetailView> {
  const entry = await deps.tickets.get(id);
  if (!entry || entry.record.user_id !== userId) throw notFound(id);
  return await detail(deps, entry.record);
}

/** Any ticket with its replies (admin). */
export async function getTicket(deps: SupportDeps, id: string): Promise<TicketDetailView> {
  const entry = await deps.tickets.get(id);
  if (!entry) throw notFound(id);
  return await detail(deps, entry.record);
}

/** Every ticket, newest first, optionally of one status (admin). */
export async function listAllTickets(
  deps: SupportDeps,
  page: PageRequest,
  status?: TicketStatus,
): Promise<Page<TicketView>> {
  const result = await deps.tickets.listAll(page, status);
  return { ...result, items: await toTicketViews(deps, result.items) };
}

/**
 * Appends a reply and sets the ticket's status in one conditional commit, retrying on concurrent changes.
 * `visible` decides whether the caller may see the ticket (otherwise `NotFoundError`).
 */
async function appendReply(
  deps: SupportDeps,
  id: string,
  reply: { author: ReplyAuthor; authorId: string; message: string; status: TicketStatus },
  visible: (t: TicketRecord) => boolean,
): Promise<TicketRecord> {
  return await withRetry<TicketRecord>(`reply to ticket "${id}"`, async () => {
    const entry = await deps.tickets.get(id);
    if (!entry || !visible(entry.record)) throw notFound(id);
    if (entry.record.reply_count >= MAX_TICKET_REPLIES) {
      throw new BadRequestError(
        `Cannot reply to ticket "${id}": it has reached ${MAX_TICKET_REPLIES} replies; open a new ticket`,
      );
    }
    const now = deps.clock.now();
    const record: TicketReplyRecord = {
      id: newId("rpl", now),
      ticket_id: id,
      author: reply.author,
      author_id: reply.authorId,
      message: reply.message.trim(),
      created_at: now,
    };
    const next: TicketRecord = {
      ...entry.record,
      status: reply.status,
      reply_count: entry.record.reply_count + 1,
      updated_at: now,
    };
    if (reply.author === "support") next.admin_reply = record.message;
    else if (entry.record.admin_reply === undefined) {
      // Stored before the latest support reply was kept: keep it from now on.
      const earlier = await deps.tickets.listReplies(id);
      next.admin_reply = earlier.findLast((x) => x.author === "support")?.message ?? null;
    }
    return (await deps.tickets.addReply(entry, record, next))
      ? { committed: true, value: next }
      : { committed: false };
  });
}

/** Adds the owner's follow-up message to their ticket and reopens it; someone else's ticket is `NotFoundError`. */
export async function replyToMyTicket(
  deps: SupportDeps,
  userId: string,
  id: string,
  message: string,
): Promise<TicketDetailView> {
  const next = await appendReply(
    deps,
    id,
    { author: "user", authorId: userId, message, status: "open" },
    (t) => t.user_id === userId,
  );
  return await detail(deps, next);
}

/**
 * Answers a ticket as support: stores the reply, sets the status (`answered` unless given) and notifies the
 * owner with a `ticket_reply` notification whose link is `input.link` — where the answering adapter shows the
 * ticket to its owner (`null` when it shows it nowhere).
 */
export async function answerTicket(
  deps: SupportDeps,
  adminId: string,
  id: string,
  input: { message: string; status?: TicketStatus; link?: string | null },
): Promise<TicketDetailView> {
  const next = await appendReply(
    deps,
    id,
    { author: "support", authorId: adminId, message: input.message, status: input.status ?? "answered" },
    () => true,
  );
  await notifyUser(deps, next.user_id, {
    kind: "ticket_reply",
    title: `Support replied to your ticket: ${next.subject}`,
    body: input.message.trim(),
    link: input.link ?? null,
  });
  return await detail(deps, next);
}
