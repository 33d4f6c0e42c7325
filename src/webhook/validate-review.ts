// Bridges the validation core to the admission server: the review in, the response body and its kind out.
import type { ParsedReview } from "./admission.js";
import type { Obj } from "./inject/types.js";
import type { ValidateHandler } from "./server.js";

export type AdmissionValidate = (review: unknown) => Obj;

export function makeValidateHandler(admissionValidate: AdmissionValidate): ValidateHandler {
  return (review: ParsedReview) => {
    const kind = review.request.kind?.kind ?? "unknown";
    const body = admissionValidate(review);
    const allowed = body?.response?.allowed !== false;
    return { kind, result: allowed ? "allowed" : "denied", body };
  };
}
