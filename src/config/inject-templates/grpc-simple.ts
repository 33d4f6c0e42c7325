// pilotfish's own `grpc-simple` injection template (see index.ts). Empty until written.
export const TEXT = "";
