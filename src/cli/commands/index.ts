/** Every CLI command, in the order `--help` lists them. Add a command by adding its module here. */
import type { Command } from 'commander';
import { register as blocklist } from './blocklist.ts';
import { register as analyze } from './analyze.ts';
import { register as dmarcReport } from './dmarc-report.ts';
import { register as check } from './check.ts';
import { register as diagnose } from './diagnose.ts';
import { register as probe } from './probe.ts';
import { register as spf } from './spf.ts';
import { register as serve } from './serve.ts';
import { register as lab } from './lab.ts';
import { register as demo } from './demo.ts';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [diagnose, check, analyze, dmarcReport, blocklist, probe, spf, serve, lab, demo];
