package io.gala.lab.scoring;

/**
 * One baseline on one case.
 *
 * @param scored a fault that hurt the client: counts for AC@k and the times
 * @param rank 1-based place of the first accepted entity in the ranking of the detecting alarm; 0
 *     when not detected or not in the ranking
 * @param onsetRank the same for the ranking of the window that starts at the true onset (onset
 *     given)
 * @param ttdMs alarm time minus onset of the first alarm during the fault; -1 when not detected
 * @param ttrcMs ranking time minus onset when the accepted entity is first; -1 otherwise
 * @param falseAlarms alarms in the case's fault-free time
 * @param faultFreeMs fault-free time watched: after the training window, before the onset (or to
 *     the end of a fault-free run)
 * @param top the first entity of the detecting ranking and its metric, for the reader
 */
public record CaseScore(
    String baseline,
    String caseId,
    String app,
    String fault,
    boolean scored,
    int rank,
    int onsetRank,
    long ttdMs,
    long ttrcMs,
    int falseAlarms,
    long faultFreeMs,
    String top) {

  boolean detected() {
    return ttdMs >= 0;
  }

  boolean within(int k) {
    return rank >= 1 && rank <= k;
  }

  boolean onsetWithin(int k) {
    return onsetRank >= 1 && onsetRank <= k;
  }
}
