// The one door to kafkajs at run time. Importing this module first puts this hub's replacement
// for kafkajs's per-partition grouping in place (it must be there before kafkajs's producer
// loads; see kafkajs-grouping.ts), then hands out kafkajs. A lint rule refuses value imports of
// 'kafkajs' anywhere else; type imports are free.
import './kafkajs-grouping.ts';

export { Kafka, logLevel, Partitioners } from 'kafkajs';
