// Which tariff a car pays by: the billing map in config, keyed by car type and vehicle class.
import type { BillingConfig } from '../../config/tariff.schema.js';

export type VehicleClass = 'small' | 'large';

/**
 * Tariff id for a temporary car (no carType) or a car type listed in billing.byCarType. A large vehicle
 * falls back to the small-car tariff when no large one is configured (the schema's documented rule).
 */
export function tariffIdFor(billing: BillingConfig, vehicleClass: VehicleClass, carType?: string): string {
  const map =
    carType !== undefined && Object.prototype.hasOwnProperty.call(billing.byCarType ?? {}, carType)
      ? billing.byCarType[carType]
      : billing.temp;
  return vehicleClass === 'large' ? (map.large ?? map.small) : map.small;
}
