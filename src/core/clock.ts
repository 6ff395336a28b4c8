/** A source of "now". Features never read the system time directly; they ask the clock they were given. */
export interface Clock {
  now(): Date;
}
