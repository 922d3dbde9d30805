#!/usr/bin/env node
// The `fernet-l2` bin (package.json "bin"): runs scripts/l2.ts through tsx's loader, resolved from this package,
// so that it works from any folder. Same commands as `npm run l2 -- ...`.
import { register } from "tsx/esm/api";

register();
await import("../scripts/l2.ts");
