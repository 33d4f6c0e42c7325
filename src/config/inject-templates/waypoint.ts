// pilotfish's own `waypoint` injection template (see index.ts). Empty until written.
export const TEXT = "";
