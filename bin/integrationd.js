#!/usr/bin/env node
import '../dist/main/daemon.js';
