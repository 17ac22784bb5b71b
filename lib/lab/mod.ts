// lib/lab: a small network of Linux namespaces for seeing broadcast and multicast where they go
// and where they stop. Plan (pure), build, discover and tear down; every name carries the lab's
// prefix, so nothing else on the machine is touched.
export * from "./plan.ts";
export * from "./build.ts";
export * from "./discover.ts";
export * from "./teardown.ts";
export * from "./lab_error.ts";
export * from "./ip_tool.ts";
