/** Callback deliveries: one outbox row per completed execution that has a callback URL. */
import type { Program } from "../datasets/types.js";
import type { CallbackMethod } from "../reports/model.js";

/** Pending: waiting for its next attempt; Delivered: a 2xx came back; Failed: gave up (24 h of retries). */
export type DeliveryStatus = "Pending" | "Delivered" | "Failed";

export interface CallbackDelivery {
  /** Also the event id receivers de-duplicate on (webhook-id header). */
  readonly id: string;
  readonly executionId: string;
  readonly reportId: string;
  readonly tenant: string;
  readonly program: Program;
  /** The final URL: CallbackUrl + "/<reportId>" (POST) or + "?reportId=<reportId>" (GET). */
  readonly url: string;
  readonly method: CallbackMethod;
  /** The JSON body sent with POST (GET sends no body and signs the empty string). */
  readonly payload: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: Date | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly deliveredAt: Date | null;
  readonly createdTime: Date;
}

/** One try to deliver, as recorded. */
export interface DeliveryAttempt {
  readonly deliveryId: string;
  /** 1 for the first try. */
  readonly attempt: number;
  readonly at: Date;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly durationMs: number;
}

/** What happens to the delivery after an attempt. */
export type DeliveryNext =
  | { readonly status: "Delivered" }
  | { readonly status: "Pending"; readonly nextAttemptAt: Date }
  | { readonly status: "Failed" };
