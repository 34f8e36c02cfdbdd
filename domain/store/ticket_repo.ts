/** Support tickets, indexed by owner, with their replies stored one key each under the ticket. */
import { ConflictError } from "../errors.ts";
import { keys } from "./keys.ts";
import { type Page, pageIndex, pageRecords, type PageRequest } from "./kv.ts";

/** What a ticket is about. */
export type TicketCategory = "bug" | "feature" | "feedback" | "data" | "other";
/** Where a ticket stands: waiting for support, answered by support, or closed. */
export type TicketStatus = "open" | "answered" | "closed";
/** Who wrote a reply: the ticket's owner or the support team. */
export type ReplyAuthor = "user" | "support";

/** Every ticket category, in display order. */
export const TICKET_CATEGORIES = ["bug", "feature", "feedback", "data", "other"] as const;
/** Every ticket status. */
export const TICKET_STATUSES = ["open", "answered", "closed"] as const;

/**
 * A stored ticket: the opening message is kept inline, later messages are replies. `subject` and `message` are
 * what the API calls `title` and `description` (stored under their first names).
 */
export interface TicketRecord {
  id: string;
  user_id: string;
  subject: string;
  category: TicketCategory;
  status: TicketStatus;
  message: string;
  reply_count: number;
  /**
   * The text of the latest support reply (`null`: none yet). Absent on tickets stored before it was kept;
   * readers then take it from the replies.
   */
  admin_reply?: string | null;
  created_at: number;
  /** When the ticket last changed; every change is a reply that also sets the status. */
  updated_at: number;
}

/** A stored follow-up message on a ticket. */
export interface TicketReplyRecord {
  id: string;
  ticket_id: string;
  author: ReplyAuthor;
  author_id: string;
  message: string;
  created_at: number;
}

/** A ticket as read, with the versionstamp a later conditional write checks. */
export interface TicketEntry {
  record: TicketRecord;
  versionstamp: string;
}

/** Persistence of tickets and their replies. */
export interface TicketRepo {
  /** Inserts a ticket and its owner index in one commit; `ConflictError` when the id exists. */
  create(record: TicketRecord): Promise<void>;
  /** The ticket with its versionstamp; `null` when absent. */
  get(id: string): Promise<TicketEntry | null>;
  /** The owner's tickets, newest first, optionally of one status. */
  listByUser(userId: string, page: PageRequest, status?: TicketStatus): Promise<Page<TicketRecord>>;
  /** Every ticket, newest first, optionally of one status. */
  listAll(page: PageRequest, status?: TicketStatus): Promise<Page<TicketRecord>>;
  /** A ticket's replies, oldest first. */
  listReplies(ticketId: string): Promise<TicketReplyRecord[]>;
  /**
   * Stores `reply` and replaces the ticket with `next` in one commit, if the ticket is unchanged since `seen`;
   * `false` when it changed meanwhile.
   */
  addReply(seen: TicketEntry, reply: TicketReplyRecord, next: TicketRecord): Promise<boolean>;
}

/** Creates the KV-backed ticket repository. */
export function createTicketRepo(kv: Deno.Kv): TicketRepo {
  const statusFilter = (status?: TicketStatus) =>
    status === undefined ? {} : { filter: (t: TicketRecord) => t.status === status };
  return {
    async create(record) {
      const res = await kv.atomic()
        .check({ key: keys.ticket(record.id), versionstamp: null })
        .set(keys.ticket(record.id), record)
        .set(keys.ticketByUser(record.user_id, record.id), record.id)
        .commit();
      if (!res.ok) throw new ConflictError(`Cannot create ticket "${record.id}": it already exists`);
    },
    async get(id) {
      const entry = await kv.get<TicketRecord>(keys.ticket(id));
      return entry.value && entry.versionstamp
        ? { record: entry.value, versionstamp: entry.versionstamp }
        : null;
    },
    listByUser: (userId, page, status) =>
      pageIndex<TicketRecord>(kv, keys.ticketsByUser(userId), keys.ticket, page, statusFilter(status)),
    listAll: (page, status) => pageRecords<TicketRecord>(kv, keys.tickets(), page, statusFilter(status)),
    async listReplies(ticketId) {
      const out: TicketReplyRecord[] = [];
      for await (
        const e of kv.list<TicketReplyRecord>({ prefix: keys.ticketReplies(ticketId) }, { batchSize: 500 })
      ) {
        out.push(e.value);
      }
      return out;
    },
    async addReply(seen, reply, next) {
      const res = await kv.atomic()
        .check({ key: keys.ticket(seen.record.id), versionstamp: seen.versionstamp })
        .check({ key: keys.ticketReply(reply.ticket_id, reply.id), versionstamp: null })
        .set(keys.ticketReply(reply.ticket_id, reply.id), reply)
        .set(keys.ticket(next.id), next)
        .commit();
      return res.ok;
    },
  };
}
