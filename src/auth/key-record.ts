import type { KeyMode, Plan } from "../db/schema";
import type { Scope } from "./scopes";

/** What the key's Durable Object caches about it: everything a request needs to know about its caller. */
export type KeyRecord = {
  id: string;
  keyHash: string;
  workspaceId: string;
  wabaId: string;
  scopes: Scope[];
  plan: Plan;
  /** test keys reach the sandbox and their WABA's test-mode data, never Meta */
  mode: KeyMode;
  revoked: boolean;
  /** what GET /v1/key shows besides, read in the same query (absent from a record cached by an older build) */
  profile?: { name: string; displayPrefix: string; createdAt: number; wabaName: string; metaWabaId: string };
};
