/**
 * Template metadata key that tells the local stack which handler module a function runs. In a
 * module of its own, without CDK: the local stack reads templates and never needs to load CDK.
 */
export const LOCAL_ENTRY_METADATA = 'followup:entry';
