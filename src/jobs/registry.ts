import { applicationHandlers, applicationSchedules } from '../modules/applications/application.jobs.js';
import { badgeHandlers } from '../modules/badges/issuance.jobs.js';
import { mailHandlers } from '../modules/notifications/mail.service.js';
import { programmeHandlers, programmeSchedules } from '../modules/programmes/programme.jobs.js';
import { maintenanceHandlers, maintenanceSchedules } from './maintenance.js';
import type { Handlers, Schedule } from './runner.js';

/** Every job the worker knows. A module adds its handlers here. */
export const handlers: Handlers = {
  ...mailHandlers,
  ...maintenanceHandlers,
  ...applicationHandlers,
  ...programmeHandlers,
  ...badgeHandlers,
};
export const schedules: Schedule[] = [
  ...maintenanceSchedules,
  ...applicationSchedules,
  ...programmeSchedules,
];
