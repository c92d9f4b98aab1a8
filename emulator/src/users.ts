// WhatsApp users as one business sees them (2026): every user has a business-scoped user id (BSUID),
// some have a username, and some do not let Meta share their phone number (Meta: [bsuid] in emulator/README.md, "Sources").
import { fnv1a64 } from "./ids";
import { countryOf } from "./phone";
import { state } from "./store";

export type EmulatedUser = {
  wabaId: string;
  /** the BSUID: ISO 3166 alpha-2 country, a period, up to 128 alphanumerics ("US.13491208655302741918") */
  userId: string;
  /** absent for a user known only by username and BSUID */
  waId?: string;
  /** with its leading "@", only when the user has adopted a username */
  username?: string;
  /** contacts[].profile.name */
  name: string;
  /** Meta may not share the phone number (none of its sharing conditions holds): from, wa_id, recipient_id are omitted */
  hidePhone: boolean;
  /** BSUIDs the user had before (a number or BSUID change regenerates it), oldest first */
  previousUserIds: string[];
};

/** Meta's BSUID as its docs describe it; parent BSUIDs put "ENT." after the country. */
export const BSUID = /^[A-Z]{2}\.[A-Za-z0-9]{1,128}$/;
export const BSUID_OR_PARENT = /^[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}$/;
export const DEFAULT_NAME = "Test User";

/**
 * A deterministic BSUID: the country of the number (ZZ when the calling code is not in the emulator's
 * table), then 20 digits like Meta's examples, hashed from the WABA and the seed (wa_id or username) and
 * the number of BSUIDs the user had before, so a regenerated one differs.
 */
export function deriveUserId(wabaId: string, seed: string, country: string, generation = 0): string {
  const hash = fnv1a64(generation === 0 ? `${wabaId}:${seed}` : `${wabaId}:${seed}:${generation}`);
  return `${country}.${(10n ** 19n + (hash % (9n * 10n ** 19n))).toString()}`;
}

function countryForNewUser(wabaId: string, waId: string | undefined): string {
  if (waId !== undefined) return countryOf(waId) ?? "ZZ";
  // A user known only by username: the country of the business's first number stands in.
  const display = state.wabas.get(wabaId)?.phoneNumbers[0]?.displayPhoneNumber.replace(/\D/g, "");
  return (display ? countryOf(display) : undefined) ?? "ZZ";
}

function usersOf(wabaId: string): EmulatedUser[] {
  let users = state.users.get(wabaId);
  if (!users) {
    users = [];
    state.users.set(wabaId, users);
  }
  return users;
}

export function listUsers(wabaId: string): EmulatedUser[] {
  return state.users.get(wabaId) ?? [];
}

export function findUser(wabaId: string, by: { waId?: string; userId?: string; username?: string }): EmulatedUser | undefined {
  const users = listUsers(wabaId);
  if (by.userId !== undefined) return users.find((u) => u.userId === by.userId);
  if (by.waId !== undefined) return users.find((u) => u.waId === by.waId);
  if (by.username !== undefined) return users.find((u) => u.username === withAt(by.username!));
  return undefined;
}

export function withAt(username: string): string {
  return username.startsWith("@") ? username : `@${username}`;
}

/** The user of a wa_id, registered with a derived BSUID on first sight (every phone user has one). */
export function ensurePhoneUser(wabaId: string, waId: string): EmulatedUser {
  const known = findUser(wabaId, { waId });
  if (known) return known;
  const user: EmulatedUser = {
    wabaId,
    userId: deriveUserId(wabaId, waId, countryForNewUser(wabaId, waId)),
    waId,
    name: DEFAULT_NAME,
    hidePhone: false,
    previousUserIds: [],
  };
  usersOf(wabaId).push(user);
  return user;
}

export type UserInput = {
  waId?: string;
  userId?: string;
  /** null removes the username */
  username?: string | null;
  name?: string;
  hidePhone?: boolean;
};

export type UpsertResult =
  | { kind: "created" | "updated"; user: EmulatedUser }
  | { kind: "conflict"; message: string }
  | { kind: "invalid"; message: string };

/**
 * Registers or updates a user, found by userId, else by waId, else (given neither) by username. A wa_id
 * cannot be changed here (that is a user_changed_number system message), only added to a user without one.
 */
export function upsertUser(wabaId: string, input: UserInput): UpsertResult {
  const byUserId = input.userId === undefined ? undefined : findUser(wabaId, { userId: input.userId });
  const byWaId = input.waId === undefined ? undefined : findUser(wabaId, { waId: input.waId });
  if (byUserId && byWaId && byUserId !== byWaId) {
    return { kind: "conflict", message: `wa_id ${input.waId} belongs to user ${byWaId.userId}, not ${byUserId.userId}` };
  }
  let user = byUserId ?? byWaId;
  if (!user && input.userId === undefined && input.waId === undefined && input.username) user = findUser(wabaId, { username: input.username });
  if (user && input.waId !== undefined && user.waId !== undefined && user.waId !== input.waId) {
    return { kind: "conflict", message: `user ${user.userId} has wa_id ${user.waId}; a number change is a user_changed_number system message` };
  }
  if (user && input.userId !== undefined && user.userId !== input.userId) {
    return { kind: "conflict", message: `wa_id ${input.waId} belongs to user ${user.userId}, not ${input.userId}` };
  }
  const username = input.username === undefined || input.username === null ? input.username : withAt(input.username);
  if (username) {
    const holder = findUser(wabaId, { username });
    if (holder && holder !== user) return { kind: "conflict", message: `username ${username} belongs to user ${holder.userId}` };
  }

  const created = !user;
  if (!user) {
    const seed = input.waId ?? (username ? username : undefined);
    if (input.userId === undefined && seed === undefined) return { kind: "invalid", message: "give waId, userId or username" };
    user = {
      wabaId,
      userId: input.userId ?? deriveUserId(wabaId, seed!, countryForNewUser(wabaId, input.waId)),
      name: DEFAULT_NAME,
      hidePhone: false,
      previousUserIds: [],
    };
    usersOf(wabaId).push(user);
  }
  if (input.waId !== undefined) user.waId = input.waId;
  if (username === null) delete user.username;
  else if (username !== undefined) user.username = username;
  if (input.name !== undefined) user.name = input.name;
  if (input.hidePhone !== undefined) user.hidePhone = input.hidePhone;
  return { kind: created ? "created" : "updated", user };
}

/** What a webhook may show of the user's number: nothing when Meta cannot share it. */
export function sharedWaId(user: Pick<EmulatedUser, "waId" | "hidePhone">): string | undefined {
  return user.hidePhone ? undefined : user.waId;
}

/** The key of the user's window, pair-rate and conversation state: the wa_id, or the BSUID of a user without one. */
export function userKey(user: EmulatedUser): string {
  return user.waId ?? user.userId;
}

/** A new number regenerates the BSUID; the old one is kept in previousUserIds. */
export function changeNumber(user: EmulatedUser, newWaId: string): void {
  user.previousUserIds.push(user.userId);
  user.waId = newWaId;
  user.userId = deriveUserId(user.wabaId, newWaId, countryOf(newWaId) ?? "ZZ", user.previousUserIds.length);
}

/** A BSUID change without a number change (user_changed_user_id): same country, new digits. */
export function regenerateUserId(user: EmulatedUser): void {
  const country = user.userId.slice(0, 2);
  user.previousUserIds.push(user.userId);
  user.userId = deriveUserId(user.wabaId, user.waId ?? user.username ?? user.userId, country, user.previousUserIds.length);
}

/** user_preferences: a user who asked to stop marketing messages gets MARKETING templates as a failed 131050. */
export function setMarketingStop(user: EmulatedUser, stopped: boolean): void {
  const key = `${user.wabaId}:${user.userId}`;
  if (stopped) state.marketingStops.add(key);
  else state.marketingStops.delete(key);
}

export function stoppedMarketing(user: EmulatedUser): boolean {
  return state.marketingStops.has(`${user.wabaId}:${user.userId}`);
}
