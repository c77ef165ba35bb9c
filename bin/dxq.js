#!/usr/bin/env node
// The `dxq` command: runs the compiled build (npm ci builds it; `npm run build` after changes).
import '../dist/main.js';
