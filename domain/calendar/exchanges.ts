/** The exchanges the product knows: time zone, session hours, currency, and how their trading days are known. */

/** Exchange codes. */
export type ExchangeCode = "SSE" | "SZSE" | "NSE" | "IDX" | "NYSE" | "CRYPTO";

/** Every exchange code, for schemas. */
export const EXCHANGE_CODES = ["SSE", "SZSE", "NSE", "IDX", "NYSE", "CRYPTO"] as const;

/**
 * How trading days are decided: `published` holiday tables for covered years (SSE/SZSE 2015–2026, and any year
 * an admin installed), `rules` computed from the exchange's holiday rules (NYSE from 1990), `estimate` (a
 * rule-based estimate of the holidays: SSE/SZSE after their last published year, NSE and IDX from a holiday
 * library's rules), `weekdays` (Mon–Fri, holidays unknown: a flagged guess; SSE/SZSE before 2015, NYSE before
 * 1990), `always` (24/7, CRYPTO).
 */
export type CalendarBasis = "published" | "rules" | "estimate" | "weekdays" | "always";

/** Static facts of an exchange. */
export interface ExchangeInfo {
  code: ExchangeCode;
  name: string;
  timeZone: string;
  /** Regular session open and close, local wall time `"HH:MM"`. */
  open: string;
  close: string;
  currency: string;
  basis: CalendarBasis;
}

/** The exchanges, by code. */
export const EXCHANGES: Readonly<Record<ExchangeCode, ExchangeInfo>> = {
  SSE: {
    code: "SSE",
    name: "Shanghai Stock Exchange",
    timeZone: "Asia/Shanghai",
    open: "09:30",
    close: "15:00",
    currency: "CNY",
    basis: "published",
  },
  SZSE: {
    code: "SZSE",
    name: "Shenzhen Stock Exchange",
    timeZone: "Asia/Shanghai",
    open: "09:30",
    close: "15:00",
    currency: "CNY",
    basis: "published",
  },
  NSE: {
    code: "NSE",
    name: "National Stock Exchange of India",
    timeZone: "Asia/Kolkata",
    open: "09:15",
    close: "15:30",
    currency: "INR",
    basis: "estimate",
  },
  IDX: {
    code: "IDX",
    name: "Indonesia Stock Exchange",
    timeZone: "Asia/Jakarta",
    open: "09:00",
    close: "16:00",
    currency: "IDR",
    basis: "estimate",
  },
  NYSE: {
    code: "NYSE",
    name: "New York Stock Exchange",
    timeZone: "America/New_York",
    open: "09:30",
    close: "16:00",
    currency: "USD",
    basis: "rules",
  },
  CRYPTO: {
    code: "CRYPTO",
    name: "Crypto (24/7, days in UTC)",
    timeZone: "UTC",
    open: "00:00",
    close: "24:00",
    currency: "USD",
    basis: "always",
  },
};

/** `true` when `code` names a known exchange. */
export function isExchangeCode(code: string): code is ExchangeCode {
  return (EXCHANGE_CODES as readonly string[]).includes(code);
}
