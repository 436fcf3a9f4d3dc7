if (typeof module === "object" && module.exports) module.exports = { AshnaCore: AshnaCore, AshnaEngine: AshnaEngine, AshnaExperiments: AshnaExperiments };
