import { mailHandlers } from '../modules/notifications/mail.service.js';
import { maintenanceHandlers, maintenanceSchedules } from './maintenance.js';
import type { Handlers, Schedule } from './runner.js';

/** Every job the worker knows. A module adds its handlers here. */
export const handlers: Handlers = { ...mailHandlers, ...maintenanceHandlers };
export const schedules: Schedule[] = [...maintenanceSchedules];
