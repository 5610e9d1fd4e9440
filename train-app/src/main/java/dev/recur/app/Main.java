package dev.recur.app;

/** Entry point of train-app.jar (placeholder until the train-app issue fills it). */
public final class Main {
    public static void main(String[] args) {
        System.out.println("Recur train-app");
    }
}
